// The package's JavaScript (src/package/*.js, type-checked with checkJs) against its declarations
// (src/package/index.d.ts): each export of the implementation must be assignable to what the
// declarations say it is, so that a method or property added to one and not the other fails here.
// The modules are imported by their own files (pusher.js, channel.js, ...): `index.js` would
// resolve to index.d.ts, its declarations.
import type * as Declared from '../../../src/package/index.js';
import Pusher from '../../../src/package/pusher.js';
import { Channel } from '../../../src/package/channel.js';
import { Channels } from '../../../src/package/channels.js';
import { ConnectionManager } from '../../../src/package/connection.js';
import { Members, PresenceChannel } from '../../../src/package/presence.js';
import {
  Echo,
  EventFormatter,
  NullConnector,
  PusherChannel,
  PusherConnector,
  PusherEncryptedPrivateChannel,
  PusherPresenceChannel,
  PusherPrivateChannel,
} from '../../../src/package/echo.js';
import { installSocketIdFetch, socketIdInterceptor } from '../../../src/package/socket-id.js';

export const implementation: {
  Pusher: typeof Declared.default;
  Channel: typeof Declared.Channel;
  Channels: typeof Declared.Channels;
  ConnectionManager: typeof Declared.ConnectionManager;
  PresenceChannel: typeof Declared.PresenceChannel;
  Members: typeof Declared.Members;
  Echo: typeof Declared.Echo;
  EventFormatter: typeof Declared.EventFormatter;
  NullConnector: typeof Declared.NullConnector;
  PusherChannel: typeof Declared.PusherChannel;
  PusherConnector: typeof Declared.PusherConnector;
  PusherEncryptedPrivateChannel: typeof Declared.PusherEncryptedPrivateChannel;
  PusherPresenceChannel: typeof Declared.PusherPresenceChannel;
  PusherPrivateChannel: typeof Declared.PusherPrivateChannel;
  installSocketIdFetch: typeof Declared.installSocketIdFetch;
  socketIdInterceptor: typeof Declared.socketIdInterceptor;
} = {
  Pusher,
  Channel,
  Channels,
  ConnectionManager,
  PresenceChannel,
  Members,
  Echo,
  EventFormatter,
  NullConnector,
  PusherChannel,
  PusherConnector,
  PusherEncryptedPrivateChannel,
  PusherPresenceChannel,
  PusherPrivateChannel,
  installSocketIdFetch,
  socketIdInterceptor,
};
