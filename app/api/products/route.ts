import { db } from '@/db';
import { listProducts } from '@/lib/catalog/list-products';
import { json, route } from '@/lib/http/respond';
import { storeMerchantId } from '@/lib/store/store-merchant';

export const dynamic = 'force-dynamic';

export const GET = route(async () => json(await listProducts(db(), storeMerchantId())));
