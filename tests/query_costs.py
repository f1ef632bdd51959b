"""What the caches add to the queries of a public GET, in the production configuration that
the test settings run (content/caching/). Query-count tests add these to the view's own
queries, so that each number says where it comes from.

They hold on SQLite with the local-memory cache and on PostgreSQL with Redis alike: with
Redis the database's version is read beside the cache's on every request in tests
(tests/conftest.py, `database_check_clock`), as it always is with a per-process cache.
"""

#: Reading the content version: one query (the database's version).
VERSION_READ = 1
#: A public GET the response cache cannot answer, the first under its content version: the
#: content version is read, and so is the next moment time alone changes the content, to know
#: how long the response stays true (one query each).
CACHE_MISS = VERSION_READ + 1
#: A detail or section in plain JSON without a query string first looks for the body stored at
#: publish time (content/caching/renderings.py: one indexed query). Rows written by factories
#: have none, so the view then renders as usual.
STORED_LOOKUP = 1
