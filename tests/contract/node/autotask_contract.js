// Drives the published @apigrate/autotask-restapi client, unchanged, against an Autotask API
// (the simulator in tests) through the operations orderbridge relies on, and prints one JSON
// report of what the client saw. The Python test compares the report with the simulator's state.
//
// Environment: AT_BASE_URL (".../ATServicesRest/", where the zone lookup starts), AT_USER,
// AT_SECRET, AT_INTEGRATION_CODE, AT_PAGE_SIZE (records per page, small to force paging).
'use strict';

const { AutotaskRestApi } = require('@apigrate/autotask-restapi');

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const pageSize = Number(env('AT_PAGE_SIZE'));
const autotask = new AutotaskRestApi(env('AT_USER'), env('AT_SECRET'), env('AT_INTEGRATION_CODE'), {
  base_url: env('AT_BASE_URL'),
});

function picklist(fields, name) {
  const field = fields.find((f) => f.name === name);
  return Object.fromEntries((field.picklistValues || []).map((v) => [v.label, Number(v.value)]));
}

// The endpoint part of a nextPageUrl, as the client's own transport wants it.
function endpointOf(url) {
  const prefix = `${autotask.zoneInfo.url}V${autotask.version}`;
  if (!url.startsWith(prefix)) throw new Error(`nextPageUrl ${url} is not under ${prefix}`);
  return url.slice(prefix.length);
}

async function pageById(filter) {
  const ids = [];
  let pages = 0;
  for (;;) {
    const last = ids.length ? ids[ids.length - 1] : 0;
    const page = await autotask.PurchaseOrders.query({
      filter: [...filter, { op: 'gt', field: 'id', value: last }],
      MaxRecords: pageSize,
    });
    pages += 1;
    ids.push(...page.items.map((po) => po.id));
    if (page.items.length < pageSize) return { ids, pages };
  }
}

async function pageByRepost(search) {
  let page = await autotask.PurchaseOrders.query(search);
  const ids = page.items.map((po) => po.id);
  let pages = 1;
  while (page.pageDetails.nextPageUrl) {
    page = await autotask._post(endpointOf(page.pageDetails.nextPageUrl), search);
    ids.push(...page.items.map((po) => po.id));
    pages += 1;
  }
  return { ids, pages };
}

async function pageByGet(search) {
  let page = await autotask._get('/PurchaseOrders/query', { search: JSON.stringify(search) });
  const ids = page.items.map((po) => po.id);
  let pages = 1;
  while (page.pageDetails.nextPageUrl) {
    page = await autotask._get(endpointOf(page.pageDetails.nextPageUrl));
    ids.push(...page.items.map((po) => po.id));
    pages += 1;
  }
  return { ids, pages };
}

async function failure(call) {
  try {
    await call();
    return null;
  } catch (error) {
    return { status: error.status, details: error.details };
  }
}

async function main() {
  const report = {};
  const companyFields = (await autotask.Companies.fieldInfo()).fields;
  report.zoneUrl = autotask.zoneInfo.url;
  report.companyTypes = picklist(companyFields, 'companyType');
  report.companyTypeDataType = companyFields.find((f) => f.name === 'companyType').dataType;
  const vendors = await autotask.Companies.query({
    filter: [
      { op: 'eq', field: 'companyType', value: report.companyTypes.Vendor },
      { op: 'contains', field: 'companyName', value: 'SYNNEX' },
    ],
  });
  report.vendorIds = vendors.items.map((c) => c.id);

  const poFields = (await autotask.PurchaseOrders.fieldInfo()).fields;
  report.poStatuses = picklist(poFields, 'status');
  report.itemFieldNames = (await autotask.PurchaseOrderItems.fieldInfo()).fields.map((f) => f.name);

  const filter = [
    { op: 'eq', field: 'vendorID', value: report.vendorIds[0] },
    {
      op: 'in',
      field: 'status',
      value: [report.poStatuses.Submitted, report.poStatuses['Received Partial']],
    },
  ];
  const search = { filter, MaxRecords: pageSize };
  report.count = (await autotask.PurchaseOrders.count({ filter })).queryCount;
  report.byId = await pageById(filter);
  report.byRepost = await pageByRepost(search);
  report.byGet = await pageByGet(search);

  const poId = report.byId.ids[0];
  report.getPo = (await autotask.PurchaseOrders.get(poId)).item;
  report.getUnknown = await autotask.PurchaseOrders.get(987654321);
  const items = await autotask.PurchaseOrderItems.query({
    filter: [{ op: 'in', field: 'orderID', value: report.byId.ids }],
    MaxRecords: 500,
  });
  report.items = items.items.map((i) => ({ id: i.id, orderID: i.orderID }));

  const item = items.items.find((i) => i.orderID === poId);
  report.patchedPo = await autotask.PurchaseOrders.update({
    id: poId,
    generalMemo: 'contract: status block',
    shippingDate: '2026-12-01T00:00:00Z',
  });
  report.patchedItem = await autotask.PurchaseOrderItems.update(poId, {
    id: item.id,
    estimatedArrivalDate: '2026-12-10T00:00:00Z',
    memo: 'contract: 1 of 2 shipped',
  });
  report.patchedItemId = item.id;
  report.itemAfter = (await autotask.PurchaseOrderItems.get(item.id)).item;

  report.labelAsStatus = await failure(() =>
    autotask.PurchaseOrders.update({ id: poId, status: 'Submitted' }),
  );
  report.patchOnRecordPath = await failure(() =>
    autotask._patch(`/PurchaseOrders/${poId}`, { id: poId, generalMemo: 'x' }),
  );
  report.threshold = await autotask._get('/ThresholdInformation');
  process.stdout.write(JSON.stringify(report));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
