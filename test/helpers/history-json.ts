import { createRequire } from 'node:module';
import type { History } from '@temporalio/common/lib/proto-utils';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): History;
}

// @temporalio/common's historyToJSON/historyFromJSON throw "type must be a Type" when npm installs separate
// protobufjs copies under @temporalio/common and @temporalio/proto (here: grpc-js keeps protobufjs 7 at the root),
// since `instanceof Type` fails across copies. Use the copy that @temporalio/proto's types come from.
const protojson = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

/** A history as the canonical proto JSON that the temporal CLI and the Web UI also write. */
export function historyToJson(history: History): string {
  const message = proto.temporal.api.history.v1.History.fromObject(history);
  return `${JSON.stringify(protojson.toJson(historyType, message), null, 2)}\n`;
}

/** Parses a history file written by historyToJson (or by the temporal CLI) for Worker.runReplayHistory. */
export function historyFromJson(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
}
