// A Matrix client as Element is built: matrix-js-sdk with its Rust crypto
// (WebAssembly) and an IndexedDB store (fake-indexeddb in Node). The Go
// integration tests start it with `node client.mjs` and drive it with one
// JSON object per line on stdin:
//
//   {"id": 1, "op": "start", "args": {...}}
//
// Each command gets one reply line, {"id": 1, "ok": true, "result": ...} or
// {"id": 1, "ok": false, "error": "..."}. Every room event the client sees
// (after decryption, when it is encrypted) is also written as a line,
// {"event": {...}}, with what Element would decide about it: the push
// actions from the account's push rules, the decryption failure code, and
// the encryption shield. Logs go to stderr.
import "fake-indexeddb/auto";
import readline from "node:readline";
import * as sdk from "matrix-js-sdk";
import { OnlySignedDevicesIsolationMode, AllDevicesIsolationMode } from "matrix-js-sdk/lib/crypto-api/index.js";
import { logger } from "matrix-js-sdk/lib/logger.js";

// Standard output carries only the protocol; everything that logs (the
// SDK, and the Rust crypto's tracing through console) goes to stderr,
// which the Go test prints when it fails.
const out = process.stdout;
for (const level of ["log", "info", "debug", "warn", "trace"]) {
	console[level] = console.error;
}
logger.setLevel(process.env.JSCLIENT_LOG || "warn");

let client = null;
let userId = "";

function write(obj) {
	out.write(JSON.stringify(obj) + "\n");
}

// describe turns an event into what the Go side reads.
async function describe(ev) {
	const out = {
		room_id: ev.getRoomId(),
		event_id: ev.getId(),
		sender: ev.getSender(),
		type: ev.getType(),
		content: ev.getContent(),
		wire_type: ev.getWireType(),
		encrypted: ev.isEncrypted(),
		state_key: ev.getStateKey(),
		redacts: ev.event.redacts || ev.getContent().redacts || "",
		ts: ev.getTs(),
	};
	if (ev.isDecryptionFailure()) {
		out.decryption_failure = ev.decryptionFailureReason || "UNKNOWN";
	}
	const actions = client.getPushActionsForEvent(ev, true);
	if (actions) {
		out.notify = Boolean(actions.notify);
		out.highlight = Boolean(actions.tweaks && actions.tweaks.highlight);
	}
	if (ev.isEncrypted() && !ev.isDecryptionFailure() && client.getCrypto()) {
		try {
			const info = await client.getCrypto().getEncryptionInfoForEvent(ev);
			if (info) {
				out.shield = info.shieldColour;
				out.shield_reason = info.shieldReason;
			}
		} catch (e) {
			out.shield_error = String(e);
		}
	}
	return out;
}

const emitted = new Map(); // event ID -> "clear" or "failed"

async function onEvent(ev) {
	if (!ev.getRoomId() || ev.isState() && ev.getType() !== "m.room.member") {
		return;
	}
	if (ev.isBeingDecrypted() || ev.shouldAttemptDecryption()) {
		return; // reported from the Decrypted handler
	}
	const state = ev.isDecryptionFailure() ? "failed" : "clear";
	// An event is reported again only when a failure turns into clear text
	// (keys that arrived late).
	const before = emitted.get(ev.getId());
	if (before === state || before === "clear") {
		return;
	}
	emitted.set(ev.getId(), state);
	write({ event: await describe(ev) });
}

function waitForSync() {
	return new Promise((resolve, reject) => {
		const on = (state) => {
			if (state === "PREPARED" || state === "SYNCING") {
				client.off(sdk.ClientEvent.Sync, on);
				resolve();
			} else if (state === "ERROR") {
				// keep waiting: the SDK retries by itself
			}
		};
		client.on(sdk.ClientEvent.Sync, on);
		setTimeout(() => reject(new Error("no first sync within 60s")), 60000);
	});
}

const ops = {
	// start logs in with an existing access token, sets up Rust crypto,
	// cross-signs this device (as Element does at first login) unless
	// cross_sign is false, picks the device isolation mode, and syncs.
	async start(a) {
		userId = a.user_id;
		client = sdk.createClient({
			baseUrl: a.base_url,
			userId: a.user_id,
			accessToken: a.access_token,
			deviceId: a.device_id,
		});
		await client.initRustCrypto();
		const crypto = client.getCrypto();
		if (a.cross_sign !== false) {
			await crypto.bootstrapCrossSigning({
				authUploadDeviceSigningKeys: async (makeRequest) => {
					await makeRequest({
						type: "m.login.password",
						identifier: { type: "m.id.user", user: a.user_id },
						password: a.password,
					});
				},
			});
		}
		crypto.setDeviceIsolationMode(a.strict ? new OnlySignedDevicesIsolationMode() : new AllDevicesIsolationMode(true));
		client.on(sdk.ClientEvent.Event, (ev) => { onEvent(ev).catch((e) => console.error("event:", e)); });
		client.on(sdk.MatrixEventEvent.Decrypted, (ev) => { onEvent(ev).catch((e) => console.error("decrypted:", e)); });
		const synced = waitForSync();
		await client.startClient({ initialSyncLimit: 20 });
		await synced;
		return { device_id: client.getDeviceId(), cross_signing_ready: await crypto.isCrossSigningReady() };
	},

	async join(a) {
		const room = await client.joinRoom(a.room_id);
		return { room_id: room.roomId };
	},

	async create_room(a) {
		const res = await client.createRoom(a.options);
		return { room_id: res.room_id };
	},

	// send posts content as Element would; in an encrypted room the SDK
	// encrypts it, sharing the room key only with the devices the
	// isolation mode allows.
	async send(a) {
		await waitForRoom(a.room_id);
		const res = await client.sendEvent(a.room_id, a.type || "m.room.message", a.content);
		return { event_id: res.event_id };
	},

	async redact(a) {
		const res = await client.redactEvent(a.room_id, a.event_id);
		return { event_id: res.event_id };
	},

	async react(a) {
		await waitForRoom(a.room_id);
		const res = await client.sendEvent(a.room_id, "m.reaction", {
			"m.relates_to": { rel_type: "m.annotation", event_id: a.event_id, key: a.key },
		});
		return { event_id: res.event_id };
	},

	// device_status is what this client thinks of another user's device:
	// signed by its owner (cross-signed), and verified.
	async device_status(a) {
		const crypto = client.getCrypto();
		await crypto.getUserDeviceInfo([a.user_id], true);
		const s = await crypto.getDeviceVerificationStatus(a.user_id, a.device_id);
		const hasKeys = await crypto.userHasCrossSigningKeys(a.user_id, true);
		if (!s) {
			return { known: false, user_has_cross_signing_keys: hasKeys };
		}
		return {
			known: true,
			signed_by_owner: s.signedByOwner,
			cross_signing_verified: s.crossSigningVerified,
			user_has_cross_signing_keys: hasKeys,
		};
	},

	// push_rules lists the rule IDs the client evaluates, to show which
	// default rules the homeserver (or the SDK) provides.
	async push_rules() {
		const rules = client.pushRules || {};
		const ids = [];
		for (const kind of ["override", "content", "room", "sender", "underride"]) {
			for (const r of (rules.global && rules.global[kind]) || []) {
				ids.push(kind + ":" + r.rule_id + (r.enabled ? "" : "(off)"));
			}
		}
		return { rules: ids };
	},

	async stop() {
		if (client) {
			client.stopClient();
		}
		setTimeout(() => process.exit(0), 50);
		return {};
	},
};

// waitForRoom lets a just-joined room reach the client's store before a
// send, since the SDK needs its state to encrypt.
async function waitForRoom(roomId) {
	for (let i = 0; i < 200; i++) {
		const room = client.getRoom(roomId);
		if (room && room.getMyMembership() === "join") {
			return room;
		}
		await new Promise((r) => setTimeout(r, 50));
	}
	throw new Error("room " + roomId + " not joined");
}

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", async (line) => {
	let msg;
	try {
		msg = JSON.parse(line);
	} catch (e) {
		write({ id: 0, ok: false, error: "bad JSON: " + e.message });
		return;
	}
	const fn = ops[msg.op];
	if (!fn) {
		write({ id: msg.id, ok: false, error: "unknown op " + msg.op });
		return;
	}
	try {
		write({ id: msg.id, ok: true, result: await fn(msg.args || {}) });
	} catch (e) {
		write({ id: msg.id, ok: false, error: String(e && e.stack || e) });
	}
});
rl.on("close", () => {
	if (client) {
		client.stopClient();
	}
	process.exit(0);
});
