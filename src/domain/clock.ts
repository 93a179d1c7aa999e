/** Source of the current time; injected so tests move time instead of waiting for it. */
export interface Clock {
  now(): Date;
}
