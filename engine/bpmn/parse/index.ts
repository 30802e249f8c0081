/**
 * BPMN parse and deploy validation: XML in, executable ProcessGraphs (../model.ts) or deploy
 * errors out. The only way diagrams enter the engine.
 */
export { parseBpmn, type ParseBpmnOptions, type ParseBpmnResult } from './parseBpmn.ts';
export { DeployErrorCode } from './errors.ts';
export { createModdle } from './createModdle.ts';
