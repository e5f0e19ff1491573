export { simulateTraffic, type SimulationOptions } from "./simulate";
export { renderReport, simulationReportSchema, TARGETS, type SimulationReport } from "./report";
export { ARCHETYPES, SIMULATION_POLICY, type Archetype, type SimulationHome } from "./world";
export { Random } from "./random";
