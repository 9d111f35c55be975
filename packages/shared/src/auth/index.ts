export * from './api-keys';
export * from './project-lock';
export * from './project-page';
export * from './projects';
export * from './roles';
