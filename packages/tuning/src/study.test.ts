import { describe, expect, it } from 'vitest';
import { TrialStateError } from './errors';
import { GridSampler } from './samplers/grid';
import { RandomSampler } from './samplers/random';
import { Study, type StudyEvent } from './study';

const space = { x: { type: 'uniform' as const, min: 0, max: 1 } };
const sampler = () => new RandomSampler(space, { seed: 11 });

describe('Study', () => {
  it('asks maxTrials trials, then nothing; the best trial follows the direction', () => {
    for (const direction of ['minimize', 'maximize'] as const) {
      const study = new Study({ sampler: sampler(), direction, maxTrials: 5 });
      for (let trial = study.ask(); trial; trial = study.ask())
        study.tell(trial.number, trial.params.x as number);
      const xs = study.trials.map((t) => t.params.x as number);
      expect(study.trials).toHaveLength(5);
      expect(study.ask()).toBeUndefined();
      expect(study.bestTrial!.value).toBe(
        direction === 'minimize' ? Math.min(...xs) : Math.max(...xs),
      );
      expect(study.status).toBe('completed');
    }
  });

  it('stays running while a trial runs, even with every trial asked', () => {
    const study = new Study({ sampler: sampler(), direction: 'minimize', maxTrials: 2 });
    const a = study.ask()!;
    const b = study.ask()!;
    study.tell(a.number, 1);
    expect(study.status).toBe('running');
    study.tell(b.number, 2);
    expect(study.status).toBe('completed');
  });

  it('records failed trials and ignores them: they are never best and do not fail the study', () => {
    const study = new Study({ sampler: sampler(), direction: 'minimize', maxTrials: 4 });
    const trials = [study.ask()!, study.ask()!, study.ask()!, study.ask()!];
    study.fail(trials[0]!.number, 'out of memory');
    study.tell(trials[1]!.number, Number.NaN);
    study.tell(trials[2]!.number, 0.7);
    study.tell(trials[3]!.number, 0.4);
    expect(study.trials.map((t) => t.state)).toEqual([
      'failed',
      'failed',
      'completed',
      'completed',
    ]);
    expect(study.trials[0]!.error).toBe('out of memory');
    expect(study.trials[1]!.error).toBe('the objective was NaN');
    expect(study.bestTrial!.number).toBe(3);
    expect(study.status).toBe('completed');
    expect(study.failureReason).toBeUndefined();
  });

  it('fails when every trial fails, saying how many and the first error', () => {
    const study = new Study({ sampler: sampler(), direction: 'minimize', maxTrials: 3 });
    for (let trial = study.ask(); trial; trial = study.ask())
      study.fail(trial.number, `crash ${trial.number}`);
    expect(study.status).toBe('failed');
    expect(study.bestTrial).toBeUndefined();
    expect(study.failureReason).toBe('all 3 trials failed; trial 0: crash 0');
  });

  it('refuses to report on or tell a trial that is not running', () => {
    const study = new Study({ sampler: sampler(), direction: 'minimize', maxTrials: 2 });
    const trial = study.ask()!;
    study.tell(trial.number, 1);
    expect(() => study.tell(trial.number, 2)).toThrow(TrialStateError);
    expect(() => study.tell(trial.number, 2)).toThrow(
      expect.objectContaining({ kind: 'unprocessable', code: 'trial_not_running' }),
    );
    expect(() => study.report(trial.number, 1, 2)).toThrow(/it is completed/);
    expect(() => study.fail(7, 'x')).toThrow(/no such trial/);
  });

  it('is rebuilt from its events, in another process, as it was; and asks the same next trial', () => {
    const events: StudyEvent[] = [];
    const first = new Study({
      sampler: sampler(),
      direction: 'minimize',
      maxTrials: 6,
      onEvent: (e) => events.push(e),
    });
    for (let i = 0; i < 4; i++) {
      const trial = first.ask()!;
      first.report(trial.number, 1, 0.5);
      if (i === 2) first.fail(trial.number, 'crash');
      else first.tell(trial.number, trial.params.x as number);
    }
    const running = first.ask()!;
    const copy = new Study({ sampler: sampler(), direction: 'minimize', maxTrials: 6, events });
    expect(copy.trials).toEqual(first.trials);
    expect(copy.bestTrial).toEqual(first.bestTrial);
    expect(copy.trials[running.number]!.state).toBe('running');
    expect(copy.ask()).toEqual(first.ask());
  });

  it('caps maxTrials at the size of a grid', () => {
    const grid = new GridSampler({ units: { type: 'int', min: 1, max: 3, step: 1 } });
    const study = new Study({ sampler: grid, direction: 'minimize', maxTrials: 10 });
    expect(study.maxTrials).toBe(3);
  });
});
