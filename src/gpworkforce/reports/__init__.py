"""Reports as files (CSV, Excel; later PDF), shared by the CLI and the web.

The services answer questions (a demand, capacity, gap or benchmark report); this package
turns an answer into the file a user takes away, so that ``gpworkforce gap QHM --format xlsx``
and the page's Excel download are the same workbook. It reads reports only through the
small :class:`~gpworkforce.reports.source.ReportLike` protocol, not the services' classes.
"""
