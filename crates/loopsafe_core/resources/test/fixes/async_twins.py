import litellm
from django.db import models
from langchain_openai import ChatOpenAI

llm = ChatOpenAI(model="gpt-4o-mini")


class Order(models.Model):
    total = models.IntegerField()


async def checkout(order_id, question):
    order = Order.objects.get(pk=order_id)
    order.total += 1
    order.save()
    count = Order.objects.filter(total__gt=0).count()
    answer = llm.invoke(question).content
    reply = litellm.completion(model="gpt-4o", messages=[])
    return order, count, answer, reply
