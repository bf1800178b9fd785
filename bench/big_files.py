"""Big files: time and peak memory of segmenting and aligning 2, 10 and 50 MB texts (prints
figures; not a test).

Usage:
    python bench/big_files.py                      # 2, 4, 10, 50 MB: segment and align
    python bench/big_files.py --sizes 2 --skip-align
    python bench/big_files.py --sizes 10 --over-limit   # measure past the file-size limit

Texts: the bilinguator works (Russian originals, English translations) of
``../shared/eval-data/bilinguator-ru-en/texts`` (else the three bundled in
``corpora/bilinguator-ru-en``), repeated whole in order until each side has N MB of UTF-8.
Each measurement runs in a fresh process (``aligner segment`` / ``aligner align`` as a user
runs them, use-m3 encoder, 1 numpy thread), so its peak resident set size is its own, model
included. A file over the limit (:data:`aligner.read.DEFAULT_MAX_BYTES`) is refused at once:
the bench prints the refusal as the tool gives it, unless ``--over-limit`` raises the limit
for the run (to measure what the limit spares; a 50 MB text then needs ~10 GB and many
minutes). Targets: peak < 2 GB; an answer (a result or a refusal) in minutes, not hours.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "eval-data" / "bilinguator-ru-en" / "texts"
BUNDLED = ROOT / "corpora" / "bilinguator-ru-en"
MB = 1_000_000  # decimal: "4 MB" stays under the 4 MiB limit


def build_texts(folder: Path, mb: int) -> tuple[Path, Path]:
    """``ru{mb}.txt`` and ``en{mb}.txt`` of ``mb`` MB each (whole works, repeated)."""
    source = SHARED if SHARED.is_dir() else BUNDLED
    works = sorted(p for p in source.iterdir() if p.is_dir())
    paths = []
    for lang in ("ru", "en"):
        parts = [(w / f"{w.name}_{lang}.txt").read_text(encoding="utf-8") for w in works]
        out, size = [], 0
        while size < mb * MB:
            for p in parts:
                out.append(p)
                size += len(p.encode("utf-8")) + 2
                if size >= mb * MB:
                    break
        path = folder / f"{lang}{mb}.txt"
        path.write_text("\n\n".join(out), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def _peak_mb() -> float | None:
    """This process's own peak resident set (Linux VmHWM, MB). Not ``ru_maxrss``: Linux
    keeps that across fork and exec, so a child would report its parent's peak (the bench
    holds a 50 MB text while it starts one)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def child(argv: list[str]) -> None:
    """In a fresh process: run ``aligner`` on ``argv`` and print JSON with wall seconds,
    peak RSS (MB) and the output's line count, or the one-line error."""
    import resource

    from typer.testing import CliRunner

    from api.cli import app

    t0 = time.perf_counter()
    result = CliRunner().invoke(app, argv)
    seconds = time.perf_counter() - t0
    peak = _peak_mb() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {"seconds": round(seconds, 1), "peak_mb": round(peak), "exit": result.exit_code,
           "lines": len(result.stdout.splitlines()) if result.exit_code == 0 else 0}
    if result.exit_code:
        out["error"] = (result.stderr if hasattr(result, "stderr") else result.output).strip().splitlines()[-1:]
    print(json.dumps(out))


def measure(argv: list[str], over_limit: bool) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    if over_limit:
        env["ALIGNER_MAX_FILE_BYTES"] = str(64 * 1024 * 1024)
    proc = subprocess.run([sys.executable, __file__, "--child", *argv], capture_output=True,
                          text=True, env=env, cwd=ROOT)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": [proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "no output"]}
    return json.loads(lines[-1])


def show(what: str, r: dict) -> None:
    if r.get("exit", 1) == 0:
        print(f"  {what:<28} {r['seconds']:>7.1f} s  peak {r['peak_mb']:>6} MB  ({r['lines']} lines out)")
    else:
        print(f"  {what:<28} refused in {r.get('seconds', 0):.1f} s, peak {r.get('peak_mb', '?')} MB: "
              f"{' '.join(r.get('error', []))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 4, 10, 50], help="MB per side")
    parser.add_argument("--skip-align", action="store_true", help="only segment")
    parser.add_argument("--over-limit", action="store_true",
                        help="raise the file-size limit for the run (ALIGNER_MAX_FILE_BYTES)")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    from aligner.read import DEFAULT_MAX_BYTES

    print(f"texts from {SHARED if SHARED.is_dir() else BUNDLED}; file-size limit "
          f"{DEFAULT_MAX_BYTES:,} bytes{' (raised to 64 MiB for this run)' if args.over_limit else ''}")
    with tempfile.TemporaryDirectory(prefix="aligner-big-") as tmp:
        for mb in args.sizes:
            ru, en = build_texts(Path(tmp), mb)
            print(f"{mb} MB a side: {ru.stat().st_size:,} bytes ru, {en.stat().st_size:,} bytes en")
            for path, lang in ((ru, "ru"), (en, "en")):
                show(f"segment {lang}", measure(["segment", str(path), "--lang", lang], args.over_limit))
            if not args.skip_align:
                show("align ru-en (use-m3)", measure(
                    ["align", str(ru), str(en), "--src-lang", "ru", "--tgt-lang", "en", "-q",
                     "--format", "vecalign"], args.over_limit))


if __name__ == "__main__":
    main()
