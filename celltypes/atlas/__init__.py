"""The cell-type atlas: every catalogue type under control and each neuromodulator, with the
standard protocols, as one HTML page with the PNG and CSV files behind it.

    python -m celltypes atlas --out atlas        # then open atlas/index.html

- `simulate`: one type, all conditions and protocols in one group and one run;
- `outputs`: its figures and tables (CSV with provenance);
- `page`: the HTML page;
- `build`: every type, in parallel processes, with a progress bar.
"""
