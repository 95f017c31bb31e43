"""The province portal (`rectify province`): a portal federated from the cities' own portals.

The pipeline again, at the province's scale: `config` (province.yml, validated) -> `sources` (what each city
published, read from its address or a folder, saved as a CI artifact) -> `verify` (the city's chain and figures
against what the province has on record) -> `figures` (sums over the verified cities, department types, the
ranking) -> `charts` and `portal` (the pages, built with MkDocs in the city portal's look, and the merged search).
"""
