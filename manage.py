#!/usr/bin/env python
from mesocentre.cli import main

if __name__ == "__main__":
    main()
