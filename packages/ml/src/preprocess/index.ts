export * from './build';
export * from './image';
export * from './table';
export * from './text';
