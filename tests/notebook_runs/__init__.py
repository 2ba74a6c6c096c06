"""Notebook runs that nbval cannot do: student copies, and exercises tried with wrong answers first.

Both run in the second phase of ``make test``, beside nbval's notebooks (pytest-xdist, three at a time).
"""
