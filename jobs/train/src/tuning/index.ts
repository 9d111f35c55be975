export { claimTrial } from './claim';
export { StudyJournal, type StudyLog } from './journal';
export * from './messages';
export { PruningCallback, trialObjective } from './objective';
export { runTuning } from './run-tuning';
export { loadTrialModel, saveTrialModel } from './trial-model';
export { type TrialInputs, TrialRunner } from './trial-runner';
