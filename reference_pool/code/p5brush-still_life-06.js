// Fruit bowl still life: apples, pears and grapes in a brown bowl.
function setup() {
  createCanvas(512, 512, WEBGL);
  background('#e9e2d4');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  brush.fillBleed(0.5);
  // background wash
  brush.fill('#7a6a55', 200);
  brush.rect(-256, -256, 512, 512);
  // bowl
  brush.fill('#5a4632', 230);
  brush.rect(-250, 120, 200, 120);
  // fruit
  brush.fill('#8a5a3a', 220);
  brush.circle(-200, 110, 50);
  brush.fill('#6b6a3a', 220);
  brush.circle(-140, 100, 45);
  brush.fill('#5e3b4a', 220);
  for (let i = 0; i < 8; i++) {
    brush.circle(-230 + random(60), 80 + random(40), 14);
  }
  brush.fill('#4a3b2a', 200);
  brush.circle(-170, 140, 60);
  brush.set('charcoal', '#2a2018', 2);
  brush.noFill();
  brush.rect(-250, 120, 200, 120);
}
