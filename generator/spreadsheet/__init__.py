"""The spreadsheet bridge inward: a department's 台账 workbook read, its rows converted to problem files.

reading.py reads a workbook into grids of cells; headings.py says what a sheet's headings mean and which
sheet to take; rows.py turns one data row into a problem's fields and log, noting every error at its cell;
exported.py reads back the log and milestone sheets of an exported workbook; provenance.py remembers which
row a file came from; conversion.py runs a whole sheet and writes the new problem files (through
loading/problemfile.py, as `rectify new` does); report.py holds what the clerk is told. The headings
themselves are declared once, in model/excel.py, for the export (rendering/workbook.py) and the import alike.

A row of a problem already on the ledger goes to updating.py with the workbook's 工作记录, 节点 and 本旬进展
sheets: what they add that the problem's file lacks is appended to its log, and what cannot be taken is
reported at its cell.
"""
