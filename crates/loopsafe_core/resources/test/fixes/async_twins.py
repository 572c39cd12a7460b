import litellm
from django.db import models
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

llm = ChatOpenAI(model="gpt-4o-mini")
chain = ChatPromptTemplate.from_template("{question}") | llm


class Order(models.Model):
    total = models.IntegerField()


async def checkout(order_id, question):
    order = Order.objects.get(pk=order_id)
    order.total += 1
    order.save()
    count = Order.objects.filter(total__gt=0).count()
    answer = llm.invoke(question).content
    summary = chain.invoke({"question": question})
    reply = litellm.completion(model="gpt-4o", messages=[])
    return order, count, answer, reply, summary
