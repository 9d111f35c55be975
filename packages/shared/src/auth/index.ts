export * from './api-keys';
export * from './projects';
export * from './roles';
export * from './project-page';
