from django.db import models
from django.http import JsonResponse


class Order(models.Model):
    def close(self):
        Order.objects.filter(pk=self.pk).update(open=False)


async def close_order(request, pk):
    order = await Order.objects.aget(pk=pk)
    order.close()
    Order.objects.filter(open=True).update(open=False)
    for old in Order.objects.filter(open=False).iterator():
        print(old.pk)
    order.save()
    return JsonResponse({"ok": True})


async def totals(request):
    rows = [o.pk for o in Order.objects.filter(open=True)]
    lazy = (o.pk for o in Order.objects.all())
    for o in Order.objects.exclude(open=True):
        rows.append(o.pk)
    return JsonResponse({"rows": rows, "lazy": list(lazy)})
