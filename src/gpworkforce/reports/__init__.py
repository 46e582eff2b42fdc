"""Reports as files (CSV, Excel; later PDF), shared by the CLI and the web."""
