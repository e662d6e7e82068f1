"""Seeded fuzzing of the files NN Lab reads: weight files and every dataset importer's formats.

``seeds`` writes small valid files, ``mutate`` damages them (bytes and structure), ``oracle``
loads one and judges the outcome, ``runner`` runs thousands in a watched worker process.
``scripts/fuzz_files.py`` is the command line; ``tests/data/test_fuzz_files.py`` the short run.
"""
