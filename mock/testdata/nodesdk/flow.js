'use strict';
// The "Real client" flow of jpcheck mock (issues 3 and 12): the official Juspay Node SDK,
// expresscheckout-nodejs 1.0.0, runs create -> pay -> status -> refund against the mock twice:
// with Basic auth, and with jweAuth (payments.create, order.status and order.refund then go to
// the encrypted /v4/txns, /v4/order-status and /v4/orders/{id}/refunds). mock/nodesdk_test.go installs the SDK next to a copy of this file, starts the mock
// over TLS on 127.0.0.1:443 (the SDK cannot use another port, facts § 5.1), trusts its CA
// through NODE_EXTRA_CA_CERTS and checks what this prints: one JSON line per call,
//   {"step": "...", "ok": true, "result": {...}}  or  {"step": "...", "ok": false, "error": {...}}
// The working directory must hold a package.json: the SDK reads its name and version from
// process.cwd() when it is loaded and throws without one.

const fs = require('fs');
const { Juspay } = require('expresscheckout-nodejs');

function env(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error('missing environment variable ' + name);
  }
  return v;
}

// The SDK logs through winston to ./logs/juspay-sdk.log unless told otherwise.
Juspay.customLogger = () => Juspay.silentLogger;

const baseUrl = env('JPCHECK_BASE_URL');
const merchantId = env('JPCHECK_MERCHANT_ID');
const apiKey = env('JPCHECK_API_KEY');
const orderId = env('JPCHECK_ORDER_ID');
const refundId = env('JPCHECK_REFUND_ID');
const jweOrderId = env('JPCHECK_JWE_ORDER_ID');
const jweRefundId = env('JPCHECK_JWE_REFUND_ID');
const timeout = 20000; // ms per call; the Go test bounds the whole run too

// Basic auth only: order.status takes GET /orders/{id}, payments.create POST /txns and
// order.refund POST /orders/{id}/refunds.
const basic = new Juspay({ merchantId, apiKey, baseUrl, timeout });
const jweAuth = {
  keyId: env('JPCHECK_KEY_ID'),
  publicKey: fs.readFileSync(env('JPCHECK_SERVER_PUBLIC_KEY_FILE'), 'utf8'),
  privateKey: fs.readFileSync(env('JPCHECK_MERCHANT_PRIVATE_KEY_FILE'), 'utf8'),
};
// JWE only (no apiKey): order.status takes POST /v4/order-status, signed and encrypted.
const jwe = new Juspay({ merchantId, baseUrl, timeout, jweAuth });
// jweAuth with an apiKey, as a merchant sets it up: payments.create, order.status and
// order.refund prefer JWE (POST /v4/txns, /v4/order-status, /v4/orders/{id}/refunds);
// order.create has no JWE path in the SDK, so it takes Basic auth on POST /orders.
const jweWithKey = new Juspay({ merchantId, apiKey, baseUrl, timeout, jweAuth });

function print(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

// errorJSON keeps what the SDK's errors carry (status, error_code, ...) and what Node's carry.
function errorJSON(err) {
  const out = { name: err && err.name, message: err && err.message };
  if (err && typeof err === 'object') {
    for (const k of Object.keys(err)) {
      out[k] = err[k];
    }
  }
  return out;
}

async function step(name, call) {
  try {
    const result = await call();
    print({ step: name, ok: true, result });
    return true;
  } catch (err) {
    print({ step: name, ok: false, error: errorJSON(err) });
    return false;
  }
}

async function main() {
  // Each step runs even when one before it failed, so one run shows every failure.
  await step('order.create', () => basic.order.create({
    order_id: orderId,
    amount: 100.5,
    currency: 'INR',
    customer_id: 'cust_node_sdk',
    customer_email: 'node.sdk@example.com',
    customer_phone: '9999999999',
    product_id: 'node_sdk_test',
    return_url: 'https://example.com/return',
    description: 'jpcheck Node SDK flow',
  }));
  // A test-mode card payment (the mock's table charges 4111111111111111). payments.create asks
  // for JWE (auth ['JWE']) but falls back to Basic on an instance without jweAuth, so it takes
  // POST /txns, adding merchant_id and format=json itself.
  await step('payments.create', () => basic.payments.create({
    order_id: orderId,
    payment_method_type: 'CARD',
    payment_method: 'VISA',
    card_number: '4111111111111111',
    card_exp_month: '12',
    card_exp_year: '30',
    name_on_card: 'Node SDK',
    card_security_code: '111',
  }));
  await step('order.status basic', () => basic.order.status(orderId));
  await step('order.status jwe', () => jwe.order.status(orderId));
  await step('order.refund', () => basic.order.refund(orderId, {
    unique_request_id: refundId,
    order_id: orderId,
    amount: 20.25,
  }));
  // The same flow with jweAuth.
  await step('jwe order.create', () => jweWithKey.order.create({
    order_id: jweOrderId,
    amount: 200,
    currency: 'INR',
    customer_id: 'cust_node_sdk',
    customer_email: 'node.sdk@example.com',
    customer_phone: '9999999999',
    return_url: 'https://example.com/return',
  }));
  await step('jwe payments.create', () => jweWithKey.payments.create({
    order_id: jweOrderId,
    payment_method_type: 'CARD',
    payment_method: 'MASTERCARD',
    card_number: '5555555555554444',
    card_exp_month: '11',
    card_exp_year: '31',
    name_on_card: 'Node SDK JWE',
    card_security_code: '111',
  }));
  await step('jwe order.status', () => jweWithKey.order.status(jweOrderId));
  await step('jwe order.refund', () => jweWithKey.order.refund(jweOrderId, {
    unique_request_id: jweRefundId,
    order_id: jweOrderId,
    amount: 50.5,
  }));
}

main().then(
  // The SDK's keep-alive agents would hold the process open; the Go test waits for the exit.
  () => process.exit(0),
  (err) => {
    print({ step: 'main', ok: false, error: errorJSON(err) });
    process.exit(1);
  },
);
