// Training: the library API shared by `mcalc train` and the extension.
//   train(options, hooks)                  — synchronous, in this thread (CLI, tests)
//   runTrainingInWorker(options, run)      — in a worker_threads worker, with progress and cancellation

export { train, runTraining, DIVERGENCE_FACTOR, type TrainHooks, type TrainProgress, type TrainResult, type TrainStatus } from './trainer.ts';
export { runTrainingInWorker, defaultWorkerPath, TrainCancelledError, type WorkerRunOptions } from '../../workers/trainClient.ts';
export { prepareProblem, TrainError, type DataSource, type Method, type ParamValue, type Problem, type TrainOptions } from './problem.ts';
export { SGD, Adam, makeOptimizer, type Optimizer, type OptimizerName } from './optimizers.ts';
export { readCsv, DataError, type Dataset } from './data.ts';
