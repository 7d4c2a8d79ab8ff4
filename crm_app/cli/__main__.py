"""`python -m crm_app.cli`: the same entry point as the installed `crm` command."""
from crm_app.cli.main import main

raise SystemExit(main())
