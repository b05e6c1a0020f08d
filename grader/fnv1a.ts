/** 32-bit FNV-1a over `values[start..end)`: a fast, stable hash for names and token runs (not for security). */
export function fnv1a(values: ArrayLike<number>, start = 0, end = values.length): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ values[i], 0x01000193);
  return hash >>> 0;
}
