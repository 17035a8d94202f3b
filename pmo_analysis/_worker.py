"""Child process of the report runner: execute one notebook with papermill, print a JSON result.

Running each notebook in its own process lets the runner stop a hung notebook (and its kernel)
by killing the process group, and keeps parallel kernels independent.
"""
from __future__ import annotations

import json
import sys


def main() -> None:
    job = json.loads(sys.stdin.read())
    import papermill as pm

    result = {"status": "success", "error": None}
    try:
        pm.execute_notebook(job["input"], job["output"], parameters=job["parameters"],
                            cwd=job["cwd"], kernel_name="python3", progress_bar=False,
                            execution_timeout=job["cell_timeout"], log_output=False)
    except pm.PapermillExecutionError as exc:
        first_line = next((ln for ln in (exc.source or "").splitlines() if ln.strip()), "")
        result = {"status": "failed", "error": {"cell": exc.exec_count, "ename": exc.ename,
                                                "evalue": str(exc.evalue), "source": first_line[:200]}}
    except Exception as exc:  # dead kernel, timeout, bad notebook: reported, never hidden
        result = {"status": "failed", "error": {"cell": None, "ename": type(exc).__name__,
                                                "evalue": str(exc)}}
    if job.get("html"):
        from pathlib import Path

        from .runner import render_html

        meta = dict(job["html"]["meta"])
        err = result["error"]
        if err:
            cell = err.get("cell")
            where = (f"in cell In [{cell}]" + (f" ({err['source']})" if err.get("source") else "")
                     if cell is not None else "before or outside a cell")
            meta["error"] = {"where": where, "ename": err.get("ename", ""), "evalue": err.get("evalue", "")}
        if Path(job["output"]).exists():
            try:
                render_html(Path(job["output"]), Path(job["html"]["path"]), meta=meta,
                            keep_code=job["html"]["keep_code"])
            except Exception as exc:  # a rendering bug is reported, never hidden
                result = {"status": "failed", "error": result["error"] or {
                    "cell": None, "ename": type(exc).__name__, "evalue": f"HTML rendering failed: {exc}"}}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
