"""Words too common to say whether two posts tell the same story.

Left in, they would make every pair of posts look a little alike and flood the index's buckets with
candidates. The list is English function words.
"""

from __future__ import annotations

_LIST = """
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most
my myself no nor not now of off on once only or other our ours ourselves out over own s same she
should so some such t than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves ll re ve d m o y
"""

STOPWORDS = frozenset(_LIST.split())
