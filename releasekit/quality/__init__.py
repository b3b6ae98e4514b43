"""What the built-in quality checks look at, kept apart from the policies that score it.

The score itself is computed by the policy framework from ``points`` markers;
these modules only answer questions about a packed package: where its README
is and which sections it has, whether its entry points exist, whether its
JavaScript builds code from strings, whether its repository has tests.
"""
