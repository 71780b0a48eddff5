from cxops.cli.main import run

run()
