"""The portable flow model: Bundle, Flow, Node, Edge, Resource, Ref. Pure: no I/O, no clock."""
