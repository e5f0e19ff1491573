import dagre from "@dagrejs/dagre";

export const AGENT_NODE = { width: 210, height: 68 } as const;
// Room dagre keeps for an edge's label (scope and budget), so labels do not sit on nodes.
const EDGE_LABEL = { width: 170, height: 36 } as const;

/**
 * Places agents left to right along their delegations, so a chain reads as a row and the
 * agents one delegator grants to stack in a column. Returns each agent's top-left corner, as
 * React Flow positions nodes; parallel delegations between two agents keep their own lanes.
 */
export function layoutDelegations(agentIds: readonly string[], edges: readonly { id: string; source: string; target: string }[]) {
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: "LR", nodesep: 28, ranksep: 200, edgesep: 20, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const id of agentIds) graph.setNode(id, { ...AGENT_NODE });
  for (const edge of edges) graph.setEdge(edge.source, edge.target, { ...EDGE_LABEL, labelpos: "c" }, edge.id);
  dagre.layout(graph);
  return new Map(
    agentIds.map((id) => {
      const { x, y } = graph.node(id);
      return [id, { x: x - AGENT_NODE.width / 2, y: y - AGENT_NODE.height / 2 }];
    }),
  );
}
