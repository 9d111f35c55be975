export * from './augment';
export * from './backend';
export * from './data';
export * from './evaluate';
export * from './io';
export * from './models';
export * from './preprocess';
export * from './train';
