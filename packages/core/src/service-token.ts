/**
 * A typed key under which a plugin publishes a service in the session's inversify container. The phantom type
 * makes `ctx.get(token)` return the service's type, so a plugin cannot ask for the wrong thing and compile.
 */
export interface ServiceToken<T> {
  readonly id: symbol;
  readonly description: string;
  /** Phantom: never set at run time. */
  readonly __type?: T;
}

export function serviceToken<T>(description: string): ServiceToken<T> {
  return { id: Symbol.for(`kramers:${description}`), description };
}
