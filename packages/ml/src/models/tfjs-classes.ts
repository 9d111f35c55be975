import * as tf from '@tensorflow/tfjs';
import { InternalError } from '@trainyard/shared';

/**
 * tfjs-layers' own class registered under `className` (the package exports factories, not
 * classes), for our faster subclasses to extend.
 */
export function tfjsLayerClass<Layer, Args>(className: string): new (args: Args) => Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) throw new InternalError(`tfjs-layers registers no class named ${className}`);
  return entry[0] as unknown as new (
    args: Args,
  ) => Layer;
}

/**
 * Registers a subclass under its tfjs parent's class name (its static `className`): saved models
 * keep naming the plain tfjs layer, so they load anywhere, and models loaded in this process
 * (checkpoints, base models) are built from the subclass.
 */
export function replaceTfjsLayerClass(cls: { className: string }): void {
  tf.serialization.registerClass(
    cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
  );
}
