/**
 * The subset of the Amazon Connect Smithy/botocore model that outdial serves and validates against.
 * `shapes.generated.ts` holds the data; `validate.ts` interprets it.
 */

/** Where an input member travels in a restJson1 request. */
export type MemberLocation = 'body' | 'uri' | 'querystring' | 'header';

/** A member of a structure: the shape it targets and, for top-level input members, its HTTP binding. */
export interface MemberModel {
  readonly target: string;
  readonly location?: MemberLocation;
  /** The URI label, query key or header name when it differs from the member name. */
  readonly locationName?: string;
  readonly idempotencyToken?: boolean;
}

export type ShapeModel =
  | {
      readonly type: 'string';
      readonly min?: number;
      readonly max?: number;
      readonly pattern?: string;
      readonly enum?: readonly string[];
      readonly sensitive?: boolean;
    }
  | { readonly type: 'integer' | 'long' | 'float' | 'double'; readonly min?: number; readonly max?: number }
  | { readonly type: 'boolean' }
  | { readonly type: 'timestamp' }
  | { readonly type: 'list'; readonly member: string; readonly min?: number; readonly max?: number }
  | { readonly type: 'map'; readonly key: string; readonly value: string; readonly min?: number; readonly max?: number }
  | {
      readonly type: 'structure';
      readonly members: Readonly<Record<string, MemberModel>>;
      readonly required?: readonly string[];
      readonly union?: boolean;
    };

export interface OperationModel {
  readonly name: string;
  readonly http: { readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE'; readonly requestUri: string; readonly responseCode: number };
  /** Name of the input structure shape in `shapes`. */
  readonly input: string;
  /** Error shape names the model lists for the operation, in model order. */
  readonly errors: readonly string[];
}
