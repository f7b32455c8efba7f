from pykubectl.cli.main import main

main()
