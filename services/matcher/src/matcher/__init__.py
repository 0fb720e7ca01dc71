"""Stagepool matcher service: fair, blind, explained regional allocation rounds.

Two model layers: `matcher.domain` + `matcher.solver` (the solver's records and optimiser) and
`matcher.rounds` (the service's pool, results and records). The service's shape (config, bootstrap, ports,
handlers, commands, errors, metrics, entrypoints) is the same as every other Stagepool service.
"""
