"""Read-side queries for the console and the CLI: queue pages, threads, search, KPIs, reports.

Nothing here changes the store; every list is paginated in SQL. The web layer and `parley kpis`
call these functions, so a figure means the same on the page and in the terminal.
"""
