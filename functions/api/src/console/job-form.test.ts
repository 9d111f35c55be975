import { describe, expect, it } from 'vitest';
import { formToJobBody } from './job-form';

describe('formToJobBody', () => {
  it('nests fields by their spec path and leaves empty ones to the API defaults', () => {
    expect(
      formToJobBody({
        dataset: 'ds_1',
        'architecture.type': 'cnn',
        'architecture.input_size': '16×16',
        'hyperparameters.epochs': '6',
        'hyperparameters.learning_rate': '',
        'augmentation.flip_horizontal': '1',
        'augmentation.flip_vertical': '',
        'augmentation.translate': '0.1',
        'augmentation.contrast': '0.2',
        'regularization.dropout': '0.25',
        'tuning.strategy': 'none',
        'tuning.max_trials': '4',
        action: 'plan',
      }),
    ).toEqual({
      dataset: 'ds_1',
      architecture: { type: 'cnn', input_size: [16, 16] },
      hyperparameters: { epochs: 6 },
      augmentation: { flip_horizontal: true, translate: 0.1, contrast: 0.2 },
      regularization: { dropout: 0.25 },
    });
  });

  it('passes what does not parse on as text, for the API to name', () => {
    const body = formToJobBody({
      dataset: 'ds_1',
      'hyperparameters.epochs': 'ten',
      'tuning.strategy': 'random',
      'tuning.search_space': '{not json',
    });
    expect(body).toEqual({
      dataset: 'ds_1',
      hyperparameters: { epochs: 'ten' },
      tuning: { strategy: 'random', search_space: '{not json' },
    });
  });
});
