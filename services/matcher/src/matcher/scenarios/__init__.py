"""What-if scenarios (issue 16.4-5): a coordinator's private copy of a live pool, edited, and four allocation
policies run side by side on it. Nothing here writes live state or publishes an event.

- `edits`: the edits a scenario takes (places, demand, travel limits, reserved slots, policies), checked and
  applied to a copy of the pool;
- `market`: the common ground of the three baseline policies: seats, preference lists, priorities;
- `policies`: deferred acceptance (one common lottery, a lottery per place) and first-come;
- `envy`: justified envy of any allocation under a policy's priorities;
- `figures`: the figures per policy, and `compare`: all four policies on one pool, with progress.

docs/whatif.md explains the figures and the definitions in Dutch and English.
"""
