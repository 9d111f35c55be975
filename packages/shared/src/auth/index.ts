export * from './api-keys';
export * from './project-page';
export * from './projects';
export * from './roles';
export * from './project-lock';
