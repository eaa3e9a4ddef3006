export { CycleService, cycleWorkflowId } from './cycles';
export { NamespaceService, namespaceOf } from './namespaces';
