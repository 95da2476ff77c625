// Geometric study: overlapping blue circles, an ochre square and ruled ink lines on white paper.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f7f5ef');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  brush.fill('#2d4f8f', 200);
  brush.fillBleed(0.15);
  brush.fillTexture(0.4, 0.4);
  brush.circle(-60, -40, 120);
  brush.fill('#5f86c7', 180);
  brush.circle(70, 30, 95);
  brush.fill('#d9a441', 190);
  brush.rect(20, -170, 120, 120);
  brush.fill('#1d2f5a', 200);
  brush.circle(130, 150, 40);
  brush.fill('#c9453a', 200);
  brush.circle(-150, 150, 18);

  brush.noFill();
  brush.set('rotring', '#1c1c1c', 1.2);
  brush.line(-220, 100, 220, -180);
  brush.line(-200, -200, -200, 200);
  brush.set('rotring', '#1c1c1c', 0.8);
  brush.circle(-60, -40, 150);
  brush.line(-240, 200, 240, 200);
}
