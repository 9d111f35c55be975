export * from './written-number';
