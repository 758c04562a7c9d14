// tfjs-core registers no gradient functions by itself, and its own `register_all_gradients`
// module cannot be loaded by plain Node ESM (extensionless imports). The build bundles this file,
// so importing losskit makes `tf.grad` work with the user's tfjs-core (the registry is global).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
