"""Exports for spreadsheets and other tools: the daily activity log (``isdesk export daily``).

``daily`` turns one local day of activities into frozen rows (query → DTOs, role checks),
``writer`` turns those rows into CSV for Excel, a workbook or JSONL (its parts: ``daily_rows``,
the table's columns and records; ``excel_csv``, what a CSV needs for Excel; ``files``, the
0600 all-or-nothing files every export is written with), and ``command`` is the CLI glue.
Nothing here imports textual.
"""
