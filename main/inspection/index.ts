// Workflow inspection: the read side of test cycles and the operator's previews, for the renderer's pages.
export { InspectionService, type InspectionOptions } from './service';
export { compensationPreview, compensationSteps } from './compensation-plan';
export { derivePhaseStates, joinWaitingFor } from './phase-states';
export { histogramPercentiles, bucketOf, bucketMiddleMs } from './histogram';
export { historyEventViews } from './history-events';
