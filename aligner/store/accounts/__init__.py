"""Accounts and roles of the review server: tables (:mod:`.models`), password hashing and
tokens (:mod:`.service`)."""
